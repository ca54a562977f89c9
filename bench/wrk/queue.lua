-- The community handler's unit queue, first page.
dofile("bench/wrk/common.lua")
local hdr = auth(os.getenv("TOKEN_HANDLER"))
function request()
   return wrk.format("GET", "/api/v1/appeals?queue=unit&limit=20", hdr)
end
