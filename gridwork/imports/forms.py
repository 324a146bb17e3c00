"""The upload form: one file of the kind's format, within a size the server reads comfortably."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridwork.imports.specs import ImportSpec

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))

    def __init__(self, spec: ImportSpec, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.fields["file"].widget.attrs["accept"] = ",".join(spec.upload_extensions)

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(self.spec.upload_extensions):
            raise forms.ValidationError(
                _("Upload a file ending in %(extensions)s.") % {"extensions": " / ".join(self.spec.upload_extensions)}
            )
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max)s; split it into several files.")
                % {"max": filesizeformat(MAX_UPLOAD_BYTES)}
            )
        return upload
