import kafkajs, { type Admin } from 'kafkajs';

// A CommonJS export Node's ESM loader does not see as a named export (kafkajs spreads its errors into module.exports).
const { ConfigResourceTypes } = kafkajs;

/**
 * Each topic's `max.message.bytes` as the broker enforces it (the topic's own setting, or the
 * broker's `message.max.bytes` it inherits): the size a partition's record batch must stay under.
 */
export async function topicMessageLimits(admin: Admin, topics: string[]): Promise<Record<string, number>> {
  if (topics.length === 0) return {};
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['max.message.bytes'] })),
  });
  const limits: Record<string, number> = {};
  for (const resource of resources) {
    const value = Number(resource.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue);
    if (resource.errorCode === 0 && Number.isFinite(value) && value > 0) limits[resource.resourceName] = value;
  }
  return limits;
}
