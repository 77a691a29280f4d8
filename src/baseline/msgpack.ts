/**
 * The only importer of msgpackr, and the type checks of what it decodes (the
 * header and trailer; entries and package data are read by rows-reader.ts).
 * Fixed encoder options: the same values always give the same bytes.
 */
import { Packr } from 'msgpackr';

export const packr = new Packr({ useRecords: false, moreTypes: false, bundleStrings: false, variableMapSize: true });

export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isText = (v: unknown): v is string => typeof v === 'string';
