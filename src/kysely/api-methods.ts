import { classifyColumn } from './api/classify-column.ts';
import { declareSubjectType } from './api/declare-subject-type.ts';
import { placeDebtHold, recordDebtEvent } from './api/debt-holds.ts';
import { declassifyColumn } from './api/declassify-column.ts';
import { dropRetention } from './api/drop-retention.ts';
import { linkSubject, unlinkSubject } from './api/link-subject.ts';
import { placeHold } from './api/place-hold.ts';
import { protectTable } from './api/protect-table.ts';
import { readCatalog } from './api/read-catalog.ts';
import { releaseHold } from './api/release-hold.ts';
import { setRetention } from './api/set-retention.ts';
import { setRetentionOptions } from './api/set-retention-options.ts';
import { unprotectTable } from './api/unprotect-table.ts';
import { clearWriteRule, setWriteRule } from './api/write-rules.ts';
import { exportSubject } from './api/export-subject.ts';
import { eraseDue, eraseSubject } from './api/erase-subject.ts';
import { restrictSubject, unrestrictSubject } from './api/restrict-subject.ts';
import { closeSubjectRequest, extendSubjectRequest, listSubjectRequests, processSubjectRequest, receiveSubjectRequest } from './api/subject-requests.ts';
import { linkSubjectThrough, readSubjectGraph, unlinkSubjectThrough } from '../subjects/subject-graph.ts';

/**
 * Every method of the Kysely layer: each a function `(db, input)` in its own file under `api/`,
 * calling one `privacy.*` function. A new SQL function (a sweep, an erasure, an export) becomes
 * a method by adding its file and one line here.
 */
export const API_METHODS = {
  classifyColumn,
  declassifyColumn,
  setWriteRule,
  clearWriteRule,
  protectTable,
  unprotectTable,
  declareSubjectType,
  linkSubject,
  unlinkSubject,
  setRetention,
  dropRetention,
  setRetentionOptions,
  placeHold,
  placeDebtHold,
  recordDebtEvent,
  releaseHold,
  readCatalog,
  exportSubject,
  eraseSubject, eraseDue,
  restrictSubject, unrestrictSubject,
  receiveSubjectRequest, processSubjectRequest, extendSubjectRequest, closeSubjectRequest, listSubjectRequests,
  linkSubjectThrough, unlinkSubjectThrough, readSubjectGraph,
} as const;
