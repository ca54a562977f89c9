-- One appeal with its timeline, random ids over the whole database.
dofile("bench/wrk/common.lua")
local hdr = auth(os.getenv("TOKEN_ADMIN"))
local maxid = tonumber(os.getenv("MAX_ID"))
function init(args)
   math.randomseed(tid or 1)
end
function request()
   return wrk.format("GET", "/api/v1/appeals/" .. math.random(1, maxid), hdr)
end
