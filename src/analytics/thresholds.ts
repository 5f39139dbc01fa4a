import type { Config } from '../config.ts';

/**
 * Below this top score a search that found something still counts as a gap ("low confidence"): the
 * bot's hand-off threshold when one is configured, so "the bot would not answer" and "analytics
 * calls it a gap" mean the same thing.
 */
export function lowConfidenceThreshold(config: Pick<Config, 'handoffThreshold'>): number {
  return config.handoffThreshold ?? DEFAULT_LOW_CONFIDENCE;
}

export const DEFAULT_LOW_CONFIDENCE = 0.5;
