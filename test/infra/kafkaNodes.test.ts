import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultStackOptions, kafkaNodeCount, kafkaNodePorts, type StackOptions } from '../../infra/local/lib/config.js';
import { KafkaBroker } from '../../infra/local/lib/kafkaBroker.js';
import { LocalStack } from '../../infra/local/lib/LocalStack.js';

const options = (overrides: Partial<StackOptions> = {}): StackOptions => ({
  ...defaultStackOptions({ LOCAL_STACK_DIR: '/cache' }),
  ...overrides,
});

describe('local stack Kafka nodes', () => {
  it('by default is the one broker it always was: node 1 named kafka on 9092/9093, data in data/kafka', () => {
    const stack = new LocalStack(options(), {}, () => undefined);
    expect(stack.kafkaNodes.map((n) => [n.name, n.address, n.ports])).toEqual([['kafka', '127.0.0.1:9092', [9092, 9093]]]);
    expect(stack.kafkaBrokers).toBe('127.0.0.1:9092');
    expect(stack.kafkaNodes[0]!.serverProperties()).toBe(
      [
        '# Written by infra/local/stack.ts on every start; edit that file, not this one.',
        'process.roles=broker,controller',
        'node.id=1',
        'controller.quorum.voters=1@127.0.0.1:9093',
        'listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
        'advertised.listeners=PLAINTEXT://127.0.0.1:9092',
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        `log.dirs=${path.join('/cache', 'default', 'data', 'kafka')}`,
        'auto.create.topics.enable=false',
        'num.partitions=3',
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=10',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'min.insync.replicas=1',
        'group.initial.rebalance.delay.ms=0',
        'log.retention.hours=168',
        'log.segment.bytes=104857600',
        '',
      ].join('\n'),
    );
  });

  it('with STACK_KAFKA_BROKERS=3 runs kafka-1..3 on ports derived in steps of two from the base ports', () => {
    const stack = new LocalStack(defaultStackOptions({ LOCAL_STACK_DIR: '/cache', STACK_KAFKA_BROKERS: '3' }), {}, () => undefined);
    expect(stack.kafkaNodes.map((n) => [n.name, n.ports])).toEqual([
      ['kafka-1', [9092, 9093]],
      ['kafka-2', [9094, 9095]],
      ['kafka-3', [9096, 9097]],
    ]);
    expect(stack.kafkaBrokers).toBe('127.0.0.1:9092,127.0.0.1:9094,127.0.0.1:9096');
    // The overrides move the whole cluster.
    const moved = kafkaNodePorts({
      ...defaultStackOptions({ STACK_KAFKA_PORT: '19092', STACK_KAFKA_CONTROLLER_PORT: '29092' }),
      kafkaNodes: 3,
    });
    expect(moved).toEqual([
      { port: 19092, controllerPort: 29092 },
      { port: 19094, controllerPort: 29094 },
      { port: 19096, controllerPort: 29096 },
    ]);
  });

  it('makes each node of three a voter of one quorum, with three replicas and min.insync.replicas=2 for every topic', () => {
    const node = new KafkaBroker(options({ kafkaNodes: 3 }), 2);
    const props = node.serverProperties();
    expect(props).toContain('node.id=2\n');
    expect(props).toContain('controller.quorum.voters=1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097\n');
    expect(props).toContain('listeners=PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:9095\n');
    expect(props).toContain(`log.dirs=${path.join('/cache', 'default', 'data', 'kafka-2')}\n`);
    for (const setting of [
      'default.replication.factor=3',
      'offsets.topic.replication.factor=3',
      'transaction.state.log.replication.factor=3',
      'transaction.state.log.min.isr=2',
      'min.insync.replicas=2',
    ]) {
      expect(props).toContain(`${setting}\n`);
    }
  });

  it('rejects a broker count other than 1 or 3, and ports that collide', () => {
    expect(kafkaNodeCount('3')).toBe(3);
    expect(kafkaNodeCount(undefined)).toBe(1);
    expect(() => kafkaNodeCount('2')).toThrow('invalid number of Kafka brokers "2": must be 1 or 3');
    expect(() => kafkaNodePorts({ kafkaPort: 9092, kafkaControllerPort: 9094, kafkaNodes: 3 })).toThrow('Kafka port 9094 is used twice');
    expect(() => kafkaNodePorts({ kafkaPort: 65534, kafkaControllerPort: 9093, kafkaNodes: 3 })).toThrow('out of range');
  });

  it('names the state folder by its real path when the cache is reached through a symlink, as the processes it starts see it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stack-link-'));
    try {
      mkdirSync(path.join(dir, 'real'));
      symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'));
      const opts = defaultStackOptions({ LOCAL_STACK_DIR: path.join(dir, 'link') });
      expect(opts.stateDir).toBe(path.join(dir, 'real', 'default'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
