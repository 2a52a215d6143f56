"""The web page: chat with streamed answers, the proposals queue and the audit view."""
