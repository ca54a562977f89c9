-- Shared by every wrk scenario of bench/run.sh: prints one machine-readable
-- line that run.sh turns into the table:
--   RESULT <req/s> <p50 ms> <p99 ms> <non-2xx/3xx> <socket errors> <requests>
function done(summary, latency, requests)
   local secs = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format("RESULT %.1f %.3f %.3f %d %d %d\n",
      summary.requests / secs, latency:percentile(50) / 1000,
      latency:percentile(99) / 1000, e.status,
      e.connect + e.read + e.write + e.timeout, summary.requests))
end

-- Each wrk thread gets a number, so generated titles differ across threads.
local counter = 1
function setup(thread)
   thread:set("tid", counter)
   counter = counter + 1
end

function auth(token)
   return { ["Authorization"] = "Bearer " .. token }
end

local places = { "东门", "南门", "地下车库", "3栋2单元", "中心广场", "垃圾站附近" }
local problems = { "路灯不亮", "电梯故障", "垃圾清运不及时", "违章停车堵塞道路",
                   "下水道堵塞", "夜间施工噪音", "充电桩坏了" }
local n = 0

-- Intake spreads over every community, as the district's does; filing all of
-- it into the measured handler's unit would leave that one community with
-- tens of thousands of open appeals and make the queue scenario measure an
-- impossible backlog.
local units = {}
for u in string.gmatch(os.getenv("UNITS") or os.getenv("UNIT") or "", "[^,]+") do
   units[#units + 1] = u
end

-- A realistic intake body with a varying title.
function appeal_body()
   n = n + 1
   local p = places[(n % #places) + 1]
   local q = problems[(n % #problems) + 1]
   return string.format('{"title":"%s%s（压测%d-%d）","description":"小区%s%s已经好几天了，' ..
      '居民出行不便，希望尽快处理。","category_id":%s,"unit_id":%s,"contact_phone":"13800000000",' ..
      '"address":"武汉市洪山区珞南街道%s"}', p, q, tid or 0, n, p, q,
      os.getenv("CATEGORY"), units[(n * 7919 + (tid or 0)) % #units + 1], p)
end

-- Percent-encodes every byte that is not a letter or digit (Chinese text).
function urlencode(s)
   return (string.gsub(s, "[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- A request function that cycles through paths (each wrk thread starting
-- at its own offset) with the given headers.
function cycle(paths, hdr)
   local k = 0
   return function()
      k = k + 1
      return wrk.format("GET", paths[(k + (tid or 0)) % #paths + 1], hdr)
   end
end
