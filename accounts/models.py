from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .append_only import AppendOnlyModel


class Role(models.TextChoices):
    NURSE = "nurse", "Nurse"
    PATIENT = "patient", "Patient"
    ADMIN = "admin", "Admin"


class CaseInsensitiveUserManager(UserManager):
    def get_by_natural_key(self, username):
        """Log-in ignores case: patients' usernames are their email addresses, typed as they like."""
        return self.get(username__iexact=username)


class User(AbstractUser):
    """A login. What it may see and do follows from its role, never from is_superuser."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PATIENT)

    objects = CaseInsensitiveUserManager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid"),
            models.UniqueConstraint(Lower("username"), name="user_username_unique_ignoring_case"),
        ]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_nurse(self) -> bool:
        return self.role == Role.NURSE

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_care_team(self) -> bool:
        """Nurses and admins see every episode; patients only their own."""
        return self.role in (Role.NURSE, Role.ADMIN)


class SecurityEventKind(models.TextChoices):
    MFA_ENROLLED = "mfa_enrolled", "Two-step log-in set up"
    MFA_REMOVED = "mfa_removed", "Two-step log-in removed"
    RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
    DEACTIVATED = "deactivated", "Login deactivated"


class SecurityEvent(AppendOnlyModel):
    """A change to how someone logs in (MFA set up, removed, a recovery code used; a login deactivated)."""

    Kind = SecurityEventKind

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="security_events")
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    ip_address = models.GenericIPAddressField(null=True)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=SecurityEventKind.values), name="securityevent_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} by {self.by} at {self.at:%Y-%m-%d %H:%M}"
