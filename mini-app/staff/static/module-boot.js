// Entry of a module the staff module fetches for some roles — the supervisor module
// (mini-app/supervisor, regional heads and federal supervisors) and the administration
// module (mini-app/admin), the statistics module (mini-app/monitor, into #monitor) and the
// appeal module (mini-app/appeal, into #appeal-screen):
// scripts/build-mini-app bundles it with the module's wasm-bindgen glue (copied next to it as glue.js) into one file, /assets/<module>-<hash>.js, which the
// staff module appends (see mini-app/staff/src/app.rs, SupervisorHost). It starts the wasm,
// which mounts itself into #supervisor (#monitor). __MODULE_ROOT__ becomes that element's
// id, __MODULE_WASM__ the hashed wasm path and
// __MODULE_SECTION__ the section's name in the failure notice. Its styles are in the staff
// module's stylesheet.
import init from "./glue.js";

function fail(err) {
  var root = document.getElementById("__MODULE_ROOT__");
  if (root) {
    var p = document.createElement("p");
    p.className = "state error";
    p.setAttribute("role", "alert");
    p.textContent = "Не удалось загрузить раздел __MODULE_SECTION__. Обновите страницу.";
    root.textContent = "";
    root.appendChild(p);
  }
  if (window.console) console.error(err);
}

try {
  init({ module_or_path: "__MODULE_WASM__" }).catch(fail);
} catch (err) {
  fail(err);
}
