/** A consumer of output records. It must not block the pipeline: slow work is queued inside. */
export interface OutputRecord {
  type: string;
  [key: string]: unknown;
}

export interface Sink {
  write(record: OutputRecord): void;
  /** Resolves when what was written so far is delivered or safely stored. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
