"""The site's own views, outside the debate: what a load balancer asks."""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def health(request):
    """
    Liveness for a load balancer: this process answers. It touches neither the database nor the
    cache, so it is also the cheapest page the site serves, the floor a benchmark compares with.
    """
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
