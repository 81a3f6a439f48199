from django.http import HttpResponse


def shortlist_view(request, *, index_page):
    return HttpResponse("The shortlist is being built.", status=503)


def shortlist_action_view(request, *, index_page, action):
    return HttpResponse("The shortlist is being built.", status=503)
