export { CITIZEN_CSV_COLUMNS, type CitizenCsv, citizenCsvColumn, parseCitizenCsv, REQUIRED_CITIZEN_CSV_COLUMNS, type RowError } from './citizen-csv.js';
export {
  checkEmail,
  checkFcmToken,
  checkLanguage,
  checkName,
  checkNationalId,
  checkPhone,
  checkRegionCode,
  checkTimezone,
  CITIZEN_TIMEZONES,
  type CitizenTimezone,
  type FieldCheck,
} from './citizen-fields.js';
export { type CitizenField, type CitizenRecord, type CitizenRecordInput, type CitizenValidation, type FieldError, validateCitizenRecord } from './citizen-record.js';
export { provinceName, PROVINCES } from './provinces.js';
