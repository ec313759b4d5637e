// The requests that run a model turn (ask, refine, retry): each gets its request id, a progress notification with
// a working Cancel button, the status bar's busy state, and a place in the list Cancel stops.
import { progressToken, requestId } from './askArgs';
import { emit } from './events';
import { NotificationProgress } from './progress';
import type { CommandSender } from './serverClient';
import type { StatusItem } from './status';
import { Commands } from './types';

/** What a turn's request sends: the command, its argument (its requestId is filled in), and what the title keeps. */
export interface TurnRequest<A extends { requestId?: string | null }> {
  command: string;
  arg: A;
  /** The fallback title ("Claif: refine") and what it is about (the instruction or the feedback). */
  title: string;
  about: string;
  /** Called once the request id and progress token are known, before it is sent. */
  started?: (requestId: string, token: string) => void;
}

/** How it ended: the server's answer, or the error; `cancelled` when the user pressed Cancel. */
export type TurnOutcome<T> = { requestId: string; cancelled: boolean } & ({ value: T; error?: undefined } | { value?: undefined; error: unknown });

export class RunningRequests {
  private counter = 0;
  private readonly running = new Map<string, NotificationProgress>();

  constructor(
    private readonly server: CommandSender,
    private readonly status: StatusItem,
  ) {}

  /** A fresh request id of this window. */
  nextId(): string {
    return requestId(process.pid, ++this.counter);
  }

  /** Send `request` with its progress notification; never throws (the error is in the outcome). */
  async run<T, A extends { requestId?: string | null }>(request: TurnRequest<A>): Promise<TurnOutcome<T>> {
    const arg = { ...request.arg, requestId: request.arg.requestId ?? this.nextId() };
    const id = arg.requestId;
    let client;
    try {
      client = this.server.requireClient();
    } catch (error) {
      return { requestId: id, cancelled: false, error };
    }
    const token = progressToken(id);
    const progress = new NotificationProgress(client, token, request.title, undefined, request.about);
    this.running.set(id, progress);
    const done = this.status.begin();
    request.started?.(id, token);
    try {
      const value = await this.server.execute<T>(request.command, arg, token);
      return { requestId: id, cancelled: progress.cancelled, value };
    } catch (error) {
      return { requestId: id, cancelled: progress.cancelled, error };
    } finally {
      progress.dispose();
      this.running.delete(id);
      done();
    }
  }

  /** Cancel every running request here, and whatever the server still runs. */
  async cancelAll(): Promise<void> {
    for (const progress of this.running.values()) progress.cancel();
    emit('cancelAll', { running: this.running.size });
    if (this.server.isRunning) await this.server.execute(Commands.cancel, {}).catch(() => undefined);
  }
}
