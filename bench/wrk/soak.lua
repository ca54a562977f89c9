-- The mix of `make soak` (scripts/soak.sh uses this file): 80% reads (the
-- handler's queue, /me, KPI stats by category, the appeal list, full-text
-- search and similar-case suggestions, in turn) and 20% intake spread over
-- every community. Tokens and ids come from the environment: TOKEN_HANDLER,
-- TOKEN_PUBLIC, UNIT (the handler's community), CATEGORY, UNITS.
dofile("bench/wrk/common.lua")
local handler = auth(os.getenv("TOKEN_HANDLER"))
local public = auth(os.getenv("TOKEN_PUBLIC"))
public["Content-Type"] = "application/json"
local unit = os.getenv("UNIT")
local category = os.getenv("CATEGORY")
local units = {}
for u in string.gmatch(os.getenv("UNITS") or unit or "", "[^,]+") do
   units[#units + 1] = u
end
local reads = { "/api/v1/appeals?queue=unit&limit=20", "/api/v1/me",
   "/api/v1/stats/appeals?group_by=category", "/api/v1/appeals?limit=5",
   "/api/v1/search?q=%E6%B5%B8%E6%B3%A1",
   "/api/v1/suggest?unit=" .. unit .. "&text=%E8%B7%AF%E7%81%AF%E4%B8%8D%E4%BA%AE%E6%B5%B8%E6%B3%A1" }
local n = 0
function request()
   n = n + 1
   if n % 5 == 0 then
      return wrk.format("POST", "/api/v1/appeals", public,
         '{"title":"浸泡测试诉求' .. (tid or 0) .. '-' .. n .. '","description":"长时间负载下提交的诉求",' ..
         '"category_id":' .. category .. ',"unit_id":' .. units[(n * 7919) % #units + 1] .. '}')
   end
   return wrk.format("GET", reads[(n % #reads) + 1], handler)
end
