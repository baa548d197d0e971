-- GET /api/v1/appeals?limit=20 (a page of the teacher's own appeals) as many teachers.
local tokens = {}
local counter = 0

function init(args)
  local f = assert(io.open(os.getenv("TOKENS"), "r"))
  for line in f:lines() do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  f:close()
  counter = math.random(1, #tokens)
end

function request()
  counter = counter + 1
  return wrk.format("GET", "/api/v1/appeals?limit=20", {
    ["Authorization"] = "Bearer " .. tokens[counter % #tokens + 1],
  })
end

dofile(os.getenv("REPORT"))
