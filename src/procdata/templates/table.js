// Search and sort the items table. Rows are rendered in the page; this only
// hides, shows and reorders them, so the page still reads without scripts.
(function () {
  "use strict";
  var table = document.getElementById("items");
  var search = document.getElementById("search");
  var shown = document.getElementById("shown");
  if (!table || !search) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var fold = function (text) { return (text || "").toLowerCase().replace(/\s+/g, " "); };
  rows.forEach(function (row) { row.searchText = fold(row.textContent); });

  function filter() {
    var terms = fold(search.value).trim().split(" ").filter(Boolean);
    var count = 0;
    rows.forEach(function (row) {
      var hit = terms.every(function (term) { return row.searchText.indexOf(term) >= 0; });
      row.hidden = !hit;
      if (hit) { count += 1; }
    });
    shown.textContent = count.toLocaleString("th-TH");
  }

  function key(row, index, numeric) {
    var value = row.cells[index].getAttribute("data-sort");
    if (value === null) { value = row.cells[index].textContent; }
    if (!numeric) { return value; }
    return value === "" ? null : parseFloat(value);
  }

  function sort(th, index) {
    var numeric = th.getAttribute("data-type") === "number";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var collator = new Intl.Collator("th");
    rows.sort(function (a, b) {
      var x = key(a, index, numeric), y = key(b, index, numeric);
      if (x === null || x === "") { return y === null || y === "" ? 0 : 1; }
      if (y === null || y === "") { return -1; }
      var order = numeric ? x - y : collator.compare(x, y);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
    var button = th.querySelector("button");
    if (button) { button.addEventListener("click", function () { sort(th, index); }); }
  });
  search.addEventListener("input", filter);
  filter();
})();
