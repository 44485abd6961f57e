<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{title}} · {{site_name}}</title>
  <link rel="stylesheet" href="{{url('static', filepath='css/site.css')}}">
</head>
<body>
  <main>
{{!base}}
  </main>
</body>
</html>
