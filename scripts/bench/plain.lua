-- GET of PATH_ (default /healthz), no authentication.
local path = os.getenv("PATH_") or "/healthz"
function request()
  return wrk.format("GET", path)
end
dofile(os.getenv("REPORT"))
