// Every row rule, in the order their handlers run on each row.
import type { RowRule } from '../rule.js';
import { emptyTable } from './empty-table.js';
import { unique } from './unique.js';
import { bounds } from './bounds.js';
import { siteCode } from './site-code.js';
import { knownValues } from './known-values.js';
import { subtotals, totalLikeRows, totals } from './totals.js';
import { printedRate } from './printed-rate.js';
import { lookalikeNames } from './names.js';
import { shareRange } from './share-range.js';

export const ROW_RULES: readonly RowRule[] = [emptyTable, unique, bounds, knownValues, siteCode, totals, subtotals, totalLikeRows, printedRate, shareRange, lookalikeNames];
