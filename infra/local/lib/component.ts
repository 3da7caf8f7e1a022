/** One process of the local stack. */
export interface Component {
  readonly name: string;
  readonly ports: number[];
  /** host:port clients use. */
  readonly address: string;
  /** Fetch jars, write config, format storage: everything before the first start. */
  prepare(log: (line: string) => void): Promise<void>;
  command(): { command: string; args: string[] };
  isReady(): Promise<boolean>;
}
