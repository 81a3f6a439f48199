from django.core.management.base import BaseCommand

from portal.scheduling import jobs_registered, scheduled_jobs_enqueue


class Command(BaseCommand):
    help = (
        "Queue every scheduled job that is due (portal/scheduling.py). Run it every few "
        "minutes from cron or the compose file's scheduler service; the task worker runs the jobs."
    )

    def handle(self, *args, verbosity: int, **options):
        queued = scheduled_jobs_enqueue()
        if verbosity >= 1:  # quiet when nothing was due, as it runs every few minutes
            for name in queued:
                self.stdout.write(f"Queued {name}")
        if verbosity >= 2:
            self.stdout.write(f"{len(queued)} of {len(jobs_registered())} scheduled jobs were due.")
