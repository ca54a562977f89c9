-- POST /api/v1/appeals as the demo resident, a new title every request.
dofile("bench/wrk/common.lua")
local hdr = auth(os.getenv("TOKEN_PUBLIC"))
hdr["Content-Type"] = "application/json"
function request()
   return wrk.format("POST", "/api/v1/appeals", hdr, appeal_body())
end
