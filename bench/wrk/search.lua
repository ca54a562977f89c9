-- Full-text search as a district admin (every appeal in scope): a mix of
-- very common two-character words, longer phrases, a one-character query and
-- mixed Latin/digit text, each matching from a handful to hundreds of
-- thousands of the million appeals.
dofile("bench/wrk/common.lua")
local hdr = auth(os.getenv("TOKEN_ADMIN"))
local queries = { "停车", "电梯", "噪音", "路灯不亮", "垃圾清运", "下水道堵塞", "充电桩",
                  "楼道堆放杂物", "车", "3栋", "物业 维修", "违章停车 堵塞", "供暖不热",
                  "占道经营", "WiFi", "学校周边" }
local paths = {}
for i, q in ipairs(queries) do
   paths[i] = "/api/v1/search?limit=20&q=" .. urlencode(q)
end
request = cycle(paths, hdr)
