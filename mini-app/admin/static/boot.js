// Administration module entry: bundled by scripts/build-mini-app with the wasm-bindgen glue
// into one file, /assets/admin-<hash>.js, which the staff module appends for administrators
// (see mini-app/staff/src/app.rs, SupervisorHost). It starts the wasm, which mounts itself
// into #supervisor. __ADMIN_WASM__ becomes a hashed path.
// Its styles are in the staff module's stylesheet.
import init from "./admin_glue.js";

function fail(err) {
  var root = document.getElementById("supervisor");
  if (root) {
    var p = document.createElement("p");
    p.className = "state error";
    p.setAttribute("role", "alert");
    p.textContent = "Не удалось загрузить раздел администратора. Обновите страницу.";
    root.textContent = "";
    root.appendChild(p);
  }
  if (window.console) console.error(err);
}

try {
  init({ module_or_path: "__ADMIN_WASM__" }).catch(fail);
} catch (err) {
  fail(err);
}
