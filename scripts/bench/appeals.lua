-- POST /api/v1/appeals as many distinct teachers (tokens from TOKENS, one per line) with
-- questions from QUESTIONS (one per line); every connection walks the teachers round-robin.
local tokens, questions = {}, {}
local counter = 0

local function lines(path, into)
  local f = assert(io.open(path, "r"))
  for line in f:lines() do
    if #line > 0 then into[#into + 1] = line end
  end
  f:close()
end

function init(args)
  lines(os.getenv("TOKENS"), tokens)
  lines(os.getenv("QUESTIONS"), questions)
  counter = math.random(1, #tokens)
end

function request()
  counter = counter + 1
  local token = tokens[counter % #tokens + 1]
  local q = questions[counter % #questions + 1]
  local body = '{"text":"' .. q .. '"}'
  return wrk.format("POST", "/api/v1/appeals", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end

dofile(os.getenv("REPORT"))
