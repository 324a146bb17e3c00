"""/api/v1/me/: who the token or session acts as, and where."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from gridwork.accounts.roles import ROLE_PERMISSIONS
from gridwork.api.base import ApiView
from gridwork.api.serializers.common import ErrorSerializer


class PostSerializer(serializers.Serializer):
    role = serializers.CharField()
    place = serializers.CharField(help_text="The unit's place code.")
    department = serializers.CharField(allow_null=True)
    permissions = serializers.ListField(child=serializers.CharField())


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    posts = PostSerializer(many=True)


@extend_schema(tags=["account"])
class MeView(ApiView):
    @extend_schema(responses={200: MeSerializer, **{code: OpenApiResponse(ErrorSerializer) for code in (401, 429)}})
    def get(self, request: Request) -> Response:
        user = request.user
        posts = [
            {
                "role": post.role,
                "place": post.place.code,
                "department": post.department.code if post.department else None,
                "permissions": sorted(ROLE_PERMISSIONS[post.role]),
            }
            for post in getattr(user, "active_posts", [])
        ]
        return Response(MeSerializer({"username": user.get_username(), "name": str(user), "posts": posts}).data)
