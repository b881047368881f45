// Everything the document commands use, as one module they load on first use: the code
// behind documents is not part of every command's start-up (scripts/build.js splits it).
export { checkDocuments } from './check.js';
export { readPrefix } from './content-store.js';
export { findDocument, openDocuments } from './documents.js';
export { collectDocuments } from './gc.js';
export { isTextual } from './media.js';
export { listedDocuments, numeric } from './numbers.js';
export { existingPlans, liveReferences } from './references.js';
export { restoreDocuments, withRetainedHashes } from './snapshots.js';
export { collectSources } from './sources.js';
export { mirrorSummary } from './summary.js';
