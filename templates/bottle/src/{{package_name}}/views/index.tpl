% rebase("base.tpl", title="Home")
    <h1>{{site_name}}</h1>
    <p>Your Bottle service is running. It also answers:</p>
    <ul class="endpoints">
      <li><a href="{{url('hello')}}?name=Ada"><code>/api/hello?name=Ada</code></a>: a JSON greeting</li>
      <li><a href="{{url('healthz')}}"><code>/healthz</code></a>: the health check</li>
    </ul>
