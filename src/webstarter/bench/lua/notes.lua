-- webstarter bench: the notes mix. Of every ten requests three create a note (POST), two
-- delete one this thread created (DELETE), five list the newest (GET). Creates and deletes
-- are counted from their answers (201, 204). From `bench_writes_until` (os.time()) on, only
-- reads go out, so no write is in flight when wrk closes its connections: the note count
-- afterwards must then equal creates minus deletes exactly.

local sent = 0
local created = {}
local create, list, delete_headers = nil, nil, {}

function init(args)
  local json = {}
  for name, value in pairs(bench_headers) do
    json[name] = value
    delete_headers[name] = value
  end
  json["Content-Type"] = "application/json"
  create = wrk.format(
    "POST", "/api/notes", json,
    '{"title": "bench note", "body": "written by webstarter bench"}'
  )
  list = wrk.format("GET", "/api/notes?per_page=20", bench_headers)
end

function request()
  sent = sent + 1
  if os.time() >= bench_writes_until then
    return list
  end
  local slot = sent % 10
  if slot >= 3 and slot < 5 and #created > 0 then
    return wrk.format("DELETE", "/api/notes/" .. table.remove(created, 1), delete_headers)
  end
  if slot < 5 then
    return create
  end
  return list
end

function response(status, headers, body)
  count(status)
  if status == 201 then
    local id = string.match(body, '"id"%s*:%s*(%d+)')
    if id then
      table.insert(created, id)
    end
  end
end
