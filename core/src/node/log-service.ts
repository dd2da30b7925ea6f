import { Emitter, errorMessage, type LogLevel, type LogRecord, type Logger } from '@cairn/sdk';

const levelRank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * Collects what the host and the plugins log. Keeps the latest records in memory (the
 * workbench's Output panel reads them) and forwards each one to listeners such as the
 * CLI's stderr writer.
 */
export class LogService {
  private readonly records: LogRecord[] = [];
  private readonly onDidLogEmitter = new Emitter<LogRecord>();
  readonly onDidLog = this.onDidLogEmitter.event;

  constructor(private readonly capacity = 2000) {}

  /** A logger that tags its records with `source` (`core` or a plugin id). */
  forSource(source: string): Logger {
    const log = (level: LogLevel) => (message: string, ...details: unknown[]) => {
      this.append(level, source, details.length ? `${message} ${details.map(formatDetail).join(' ')}` : message);
    };
    return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  }

  append(level: LogLevel, source: string, message: string): void {
    const record: LogRecord = { time: new Date().toISOString(), level, source, message };
    this.records.push(record);
    if (this.records.length > this.capacity) this.records.splice(0, this.records.length - this.capacity);
    this.onDidLogEmitter.fire(record);
  }

  /** Records at or above `minimum`, oldest first. */
  list(minimum: LogLevel = 'debug'): LogRecord[] {
    return this.records.filter((record) => levelRank[record.level] >= levelRank[minimum]);
  }

  dispose(): void {
    this.onDidLogEmitter.dispose();
  }
}

export function isAtLeast(level: LogLevel, minimum: LogLevel): boolean {
  return levelRank[level] >= levelRank[minimum];
}

function formatDetail(detail: unknown): string {
  if (detail instanceof Error) return detail.stack ?? detail.message;
  if (typeof detail === 'string') return detail;
  return errorMessage(detail);
}
