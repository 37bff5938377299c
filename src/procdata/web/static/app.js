// procdata serve: uploads with progress and drag-and-drop, sortable problem tables, progress of long steps.
// Everything works without this script too (plain forms and links); it only makes them nicer.
"use strict";

(function () {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const maxUpload = Number(document.querySelector('meta[name="max-upload"]').content);
  const text = (key) => {
    const found = document.getElementById("texts").content.querySelector('[data-key="' + key + '"]');
    return found ? found.textContent : key;
  };

  // --- upload: each file in its own request, with a progress bar; then back to the page
  const form = document.getElementById("upload");
  if (form) {
    const input = document.getElementById("upload-files");
    const drop = document.getElementById("drop");
    const bar = document.getElementById("upload-progress");
    const say = document.getElementById("upload-message");

    const send = (file) => new Promise((resolve) => {
      const data = new FormData();
      data.append("files", file, file.name);
      const request = new XMLHttpRequest();
      request.open("POST", "/upload");
      request.setRequestHeader("X-CSRF-Token", token);
      request.setRequestHeader("Accept", "application/json");
      request.upload.onprogress = (event) => {
        if (event.lengthComputable) { bar.max = event.total; bar.value = event.loaded; }
      };
      request.onload = () => {
        let answer = {};
        try { answer = JSON.parse(request.responseText); } catch (e) { answer = { error: text("upload_failed") }; }
        resolve(answer);
      };
      request.onerror = () => resolve({ error: text("upload_failed") });
      request.send(data);
    });

    const upload = async (files) => {
      if (!files.length) return;
      say.hidden = true;
      const big = Array.from(files).filter((f) => f.size > maxUpload);
      if (big.length) {
        say.textContent = big.map((f) => f.name).join(", ") + ": " + text("too_large");
        say.hidden = false;
        return;
      }
      bar.hidden = false;
      let next = "/";
      const problems = [];
      for (const file of files) {
        const answer = await send(file);
        if (answer.error) problems.push(file.name + ": " + answer.error);
        if (answer.next) next = answer.next;
      }
      bar.hidden = true;
      if (problems.length) {
        say.textContent = problems.join(" · ");
        say.hidden = false;
        return;
      }
      window.location.assign(next);
    };

    input.addEventListener("change", () => upload(input.files));
    form.addEventListener("submit", (event) => { event.preventDefault(); upload(input.files); });
    ["dragenter", "dragover"].forEach((name) => drop.addEventListener(name, (event) => {
      event.preventDefault(); drop.classList.add("over");
    }));
    ["dragleave", "drop"].forEach((name) => drop.addEventListener(name, () => drop.classList.remove("over")));
    drop.addEventListener("drop", (event) => { event.preventDefault(); upload(event.dataTransfer.files); });
  }

  // --- sortable tables: click a heading; click again to reverse
  document.querySelectorAll("table.sortable").forEach((table) => {
    const heads = Array.from(table.tHead.rows[0].cells);
    heads.forEach((head, column) => head.addEventListener("click", () => {
      const ascending = head.getAttribute("aria-sort") !== "ascending";
      heads.forEach((h) => h.removeAttribute("aria-sort"));
      head.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const key = (row) => {
        const cell = row.cells[column];
        return head.dataset.sort === "cell" ? cell.dataset.key : cell.textContent.trim();
      };
      const body = table.tBodies[0];
      const rows = Array.from(body.rows);
      rows.sort((a, b) => {
        const order = key(a).localeCompare(key(b), "th", { numeric: true }) || a.dataset.order - b.dataset.order;
        return ascending ? order : -order;
      });
      rows.forEach((row) => body.appendChild(row));
    }));
  });

  // --- a long step under way: follow it, then show the page again
  const panel = document.querySelector(".progress[data-job]");
  if (panel) {
    const bar = panel.querySelector("progress");
    const words = panel.querySelector(".progress-text");
    const current = panel.querySelector(".progress-current");
    const poll = async () => {
      let job;
      try {
        const response = await fetch("/progress", { headers: { Accept: "application/json" } });
        job = await response.json();
      } catch (e) { setTimeout(poll, 1500); return; }
      if (!job.running || job.id !== panel.dataset.job) { window.location.reload(); return; }
      if (job.total) {
        bar.max = job.total; bar.value = job.done;
        words.textContent = text("progress_files").replace("{done}", job.done).replace("{total}", job.total);
      }
      current.textContent = job.current + " · " + job.seconds + " s";
      setTimeout(poll, 500);
    };
    setTimeout(poll, 500);
  }
})();
