/**
 * Runs `PlanService.tick` every `tickMs`, so plans advance and guards judge with nobody
 * watching. The interval comes from configuration (SWITCHYARD_PLAN_TICK_MS); tests shorten it.
 */
import type { PlanService } from "./plans.js";

export class PlanScheduler {
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly plans: PlanService,
    private readonly tickMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  get isRunning(): boolean {
    return this.timer !== undefined;
  }

  /** Idempotent. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.plans.tick();
      } catch (error) {
        // A failed pass (the database busy, say) is retried by the next one.
        this.onError(error);
      }
    }, this.tickMs);
    // Never the reason the process stays up: shutdown stops it, and a test may simply end.
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
