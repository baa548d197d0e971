// Staff module entry: bundled by scripts/build-mini-app with the wasm-bindgen glue into one
// file, /assets/staff-<hash>.js, which the teacher app appends as a module script when a
// staff member signs in. It loads its stylesheet, then starts the staff wasm, which mounts
// itself into #staff. __STAFF_CSS__ and __STAFF_WASM__ become hashed paths, __APPEAL_JS__
// the appeal module's: its <meta name="appeal-module"> is added here rather than in
// index.html, so teachers never download even its name.
import init from "./staff_glue.js";

function fail(err) {
  var root = document.getElementById("app");
  if (root) {
    var p = document.createElement("p");
    p.className = "state error";
    p.setAttribute("role", "alert");
    p.textContent = "Не удалось открыть кабинет сотрудника. Обновите страницу.";
    root.removeAttribute("hidden");
    root.textContent = "";
    root.appendChild(p);
  }
  if (window.console) console.error(err);
}

var css = document.createElement("link");
css.rel = "stylesheet";
css.href = "__STAFF_CSS__";
document.head.appendChild(css);

var appeal = document.createElement("meta");
appeal.name = "appeal-module";
appeal.content = "__APPEAL_JS__";
document.head.appendChild(appeal);

try {
  init({ module_or_path: "__STAFF_WASM__" }).catch(fail);
} catch (err) {
  fail(err);
}
