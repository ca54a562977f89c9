-- Mixed writes, as handlers and residents make them: the resident files an
-- appeal in the handler's community; the handler accepts it, writes a
-- progress note and resolves it with a reply; the resident rates it. Every
-- request is a write (intake on its own group commit, the workflow actions
-- as jobs of the group-commit writer).
--
-- wrk does not tell which request a response answers, so the next step of
-- an appeal is read from the answer itself: its id and status. A thread
-- keeps its appeals per status and picks the step whose queue is longest
-- relative to the flow, so each appeal goes intake -> accept -> note ->
-- resolve -> rate, one request per step (five per appeal).
dofile("bench/wrk/common.lua")
local handler = auth(os.getenv("TOKEN_HANDLER"))
handler["Content-Type"] = "application/json"
local public = auth(os.getenv("TOKEN_PUBLIC"))
public["Content-Type"] = "application/json"
local unit = os.getenv("UNIT")

local todo = { submitted = {}, accepted = {}, noted = {}, resolved = {} }
local noted = {} -- ids whose note was answered (the status stays accepted)

local function pop(q)
   local id = q[#q]
   q[#q] = nil
   return id
end

local function post(path, hdr, body)
   return wrk.format("POST", path, hdr, body)
end

function request()
   -- rate first, then resolve, note, accept: appeals finish before new ones
   -- start, so the handler's open queue stays short
   if #todo.resolved > 0 then
      return post("/api/v1/appeals/" .. pop(todo.resolved) .. "/rate", public,
         '{"speed":5,"result":5,"attitude":5,"solved":"solved","satisfaction":"satisfied"}')
   elseif #todo.noted > 0 then
      return post("/api/v1/appeals/" .. pop(todo.noted) .. "/resolve", handler,
         '{"reply":"已派人现场处理完毕，感谢您的反映。"}')
   elseif #todo.accepted > 0 then
      local id = pop(todo.accepted)
      noted[id] = true
      return post("/api/v1/appeals/" .. id .. "/note", handler,
         '{"note":"已联系物业，明天上午到现场查看。"}')
   elseif #todo.submitted > 0 then
      return post("/api/v1/appeals/" .. pop(todo.submitted) .. "/accept", handler, "{}")
   end
   local b = appeal_body():gsub('"unit_id":%d+', '"unit_id":' .. unit)
   return post("/api/v1/appeals", public, b)
end

function response(status, headers, body)
   if status >= 300 then
      return
   end
   local id = body:match('^{"id":(%d+)') or body:match('"id":(%d+)')
   local st = body:match('"status":"([%a_]+)"')
   if not id or not st then
      return
   end
   if st == "submitted" then
      todo.submitted[#todo.submitted + 1] = id
   elseif st == "accepted" or st == "in_progress" then
      if noted[id] then
         noted[id] = nil
         todo.noted[#todo.noted + 1] = id
      else
         todo.accepted[#todo.accepted + 1] = id
      end
   elseif st == "resolved" then
      todo.resolved[#todo.resolved + 1] = id
   end
end
