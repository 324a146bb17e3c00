"""Pages of the service day: the staff's (``staff``) and the public's (``public``)."""
