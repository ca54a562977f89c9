-- Similar-case suggestions while a resident types an appeal: the text of a
-- new appeal (title and a sentence) against the published answers and the
-- open appeals near the resident's community.
dofile("bench/wrk/common.lua")
local hdr = auth(os.getenv("TOKEN_PUBLIC"))
local unit = os.getenv("UNIT")
local texts = { "小区停车位不足，晚上车辆乱停", "电梯经常故障，老人上下楼很困难",
                "楼下烧烤店夜间噪音扰民", "路灯坏了好几天，晚上出行不安全",
                "垃圾站清运不及时，气味很大", "下水道堵塞，污水漫到路面",
                "电动车充电桩不够用", "楼道里堆放杂物，存在消防隐患",
                "学校门口上下学时段交通拥堵", "供暖温度不达标，家里很冷" }
local paths = {}
for i, t in ipairs(texts) do
   paths[i] = "/api/v1/suggest?k=5&unit=" .. unit .. "&text=" .. urlencode(t)
end
request = cycle(paths, hdr)
