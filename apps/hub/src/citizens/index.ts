export { CitizenError, CitizenErrorCode } from './citizen.errors.js';
export { MAX_IMPORT_ROWS } from './citizen-import.service.js';
export { CitizensModule } from './citizens.module.js';
export { DATA_RETENTION, retentionNotice } from './data-retention.js';
