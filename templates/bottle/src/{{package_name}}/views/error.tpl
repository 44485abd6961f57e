% rebase("base.tpl", title=reason.capitalize())
    <h1>{{status}} {{reason.capitalize()}}</h1>
% if message:
    <p>{{message}}</p>
% end
    <p><a href="{{url('index')}}">Back to the home page</a></p>
% if traceback:
    <pre>{{traceback}}</pre>
% end
