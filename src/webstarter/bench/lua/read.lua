-- webstarter bench: one GET route (api, page), every status counted.

local plain = nil

function init(args)
  plain = wrk.format("GET", bench_path, bench_headers)
end

function request()
  return plain
end

function response(status, headers, body)
  count(status)
end
