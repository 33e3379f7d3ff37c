"""What every request goes through on the way in: its mail waits until the visitor has the page."""

from moderation import outbox


def send_mail_after_response(get_response):
    """
    Mails queued during a request are sent after its response, when the server closes it, so a
    slow or stalled mail server never keeps a visitor (or a server process) waiting for the page.
    """

    def middleware(request):
        waiting, token = outbox.collect_for_after_response()
        try:
            response = get_response(request)
        finally:
            outbox.stop_collecting(token)
        if waiting:
            close = response.close

            def send_then_close():
                # The WSGI server closes the response once the visitor has all of it; sending
                # before the close lets Django's request_finished tidy up the database connection.
                try:
                    outbox.send_after_response(waiting)
                finally:
                    close()

            response.close = send_then_close
        return response

    return middleware
