-- The KPI query per unit.
dofile("bench/wrk/common.lua")
local hdr = auth(os.getenv("TOKEN_ADMIN"))
function request()
   return wrk.format("GET", "/api/v1/stats/appeals?group_by=unit", hdr)
end
