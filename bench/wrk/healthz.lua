dofile("bench/wrk/common.lua")
