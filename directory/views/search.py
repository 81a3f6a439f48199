from django.http import HttpResponse


def directory_search(request, *, index_page):
    return HttpResponse("The directory search is being built.", status=503)


def category_browse(request, *, index_page, slug):
    return HttpResponse("The directory search is being built.", status=503)
