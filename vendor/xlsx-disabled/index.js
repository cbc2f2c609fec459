// danfojs-node loads xlsx when it loads (io.excel.js) but calls it only from readExcel / toExcel, which seqpe-ts never
// uses. This stand-in has no parser: any call says why, instead of parsing a possibly crafted spreadsheet.
'use strict';
function disabled(name) {
  return function () {
    throw new Error('xlsx.' + name + ': spreadsheet reading and writing are disabled in seqpe-ts (xlsx is replaced by a stub without a parser; see README, "Dependencies and advisories")');
  };
}
module.exports = {
  read: disabled('read'),
  readFile: disabled('readFile'),
  write: disabled('write'),
  writeFile: disabled('writeFile'),
  utils: {
    sheet_to_json: disabled('utils.sheet_to_json'),
    json_to_sheet: disabled('utils.json_to_sheet'),
    book_new: disabled('utils.book_new'),
    book_append_sheet: disabled('utils.book_append_sheet'),
  },
};
