import type { Config } from '../config.ts';
import { DEFAULT_HANDOFF_THRESHOLD } from '../search/handoff.ts';

/**
 * Below this calibrated confidence a search that found something still counts as a gap ("low
 * confidence"): the bot's hand-off threshold, so "the bot would not answer this" and "analytics
 * calls it a gap" mean the same thing.
 */
export function lowConfidenceThreshold(config: Pick<Config, 'handoffThreshold'>): number {
  return config.handoffThreshold ?? DEFAULT_HANDOFF_THRESHOLD;
}
