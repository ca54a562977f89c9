-- 80% reads (queue, detail, and stats when served), 20% intake.
dofile("bench/wrk/common.lua")
local handler = auth(os.getenv("TOKEN_HANDLER"))
local admin = auth(os.getenv("TOKEN_ADMIN"))
local public = auth(os.getenv("TOKEN_PUBLIC"))
public["Content-Type"] = "application/json"
local maxid = tonumber(os.getenv("MAX_ID"))
local stats = os.getenv("WITH_STATS") == "1"
function init(args)
   math.randomseed(100 + (tid or 1))
end
function request()
   local r = math.random()
   if r < 0.2 then
      return wrk.format("POST", "/api/v1/appeals", public, appeal_body())
   elseif r < 0.5 then
      return wrk.format("GET", "/api/v1/appeals?queue=unit&limit=20", handler)
   elseif stats and r < 0.6 then
      return wrk.format("GET", "/api/v1/stats/appeals?group_by=unit", admin)
   else
      return wrk.format("GET", "/api/v1/appeals/" .. math.random(1, maxid), admin)
   end
end
