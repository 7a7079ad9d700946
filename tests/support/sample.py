"""A small, valid content repository written into a temp folder (shared by index and API tests)."""

from __future__ import annotations

import textwrap
from pathlib import Path

FILES = {
    "guides/categories.yml": """
        categories:
          - id: accounts
            title: Accounts and passwords
            keywords: [password, locked out]
            zendesk_tags: [accounts, password]
          - id: accounts/mfa
            title: Multi-factor authentication
            keywords: [mfa, authenticator]
            zendesk_tags: [mfa]
          - id: network
            title: Network and connectivity
            keywords: [network, internet]
            zendesk_tags: [network]
          - id: network/vpn
            title: VPN and remote access
            keywords: [vpn, remote access]
            zendesk_tags: [vpn, remote-access]
          - id: printing
            title: Printing and scanning
            keywords: [printer]
            zendesk_tags: [printing]
          - id: os
            title: Operating system
            keywords: [windows]
            zendesk_tags: [os]
    """,
    "guides/priorities.yml": """
        impact:
          high: Many users are affected.
          low: One user is affected.
        urgency:
          high: Work has stopped.
          low: Work can continue.
        matrix:
          high: {high: P1, low: P3}
          low: {high: P2, low: P4}
        levels:
          P1: {name: Critical, zendesk: urgent, first_response: 15m, resolution: 4h}
          P2: {name: High, zendesk: high, first_response: 1h, resolution: 8h}
          P3: {name: Medium, zendesk: normal, first_response: 4h, resolution: 3d}
          P4: {name: Low, zendesk: low, first_response: 1d, resolution: 10d}
    """,
    "guides/escalation.yml": """
        steps:
          service-desk:
            tier: L1
            team: Service Desk
            queue: Service Desk
            contact: Phone ext. 4000
            trigger: Every new ticket.
            handoff: [Ticket categorised and prioritised]
          network-l2:
            tier: L2
            team: Network Operations
            queue: NetOps
            contact: Zendesk group "NetOps"
            trigger: The VPN guide ends in escalation.
            clock:
              - at_sla_share: 0.5
            categories: [network]
            handoff: [What L1 already tried]
          identity-l2:
            tier: L2
            team: Identity and Access
            queue: IAM
            contact: Zendesk group "IAM"
            trigger: The password guide ends in escalation.
            at_sla_share: 0.5
            categories: [accounts]
          desktop-l2:
            tier: L2
            team: Desktop Support
            queue: Desktop
            contact: Zendesk group "Desktop"
            trigger: Printing and OS problems the guide does not resolve.
            categories: [printing, os]
          duty-manager:
            tier: management
            kind: hierarchical
            team: IT Duty Manager
            queue: Major Incidents
            contact: Phone ext. 4500
            trigger: Every P1 at once; a P2 at 80% of its resolution target.
            clock:
              - {immediately: true, priorities: [P1]}
              - {at_sla_share: 0.8, priorities: [P2]}
            priorities: [P1, P2]
    """,
    "guides/synonyms.yml": """
        groups:
          - [vpn, remote access, anyconnect]
          - [password, passcode, credentials]
          - [bsod, blue screen, stop error]
          - [printer, printing, print]
    """,
    "guides/vpn-no-connect.md": """
        ---
        id: vpn-no-connect
        title: VPN will not connect
        category: network/vpn
        version: "1.0"
        owner: Network Operations
        reviewed: 2026-06-01
        tags: [vpn]
        summary: The user cannot establish a VPN connection from outside the office.
        gather:
          - The user's location and network
          - The exact error message
        articles: [vpn-reinstall]
        ---

        Check the internet connection first, then the password, then the client.
    """,
    "guides/vpn-no-connect.yml": """
        start: internet-works
        nodes:
          internet-works:
            type: question
            text: Can the user open a public website?
            answers:
              yes: password-valid
              no: no-internet
          no-internet:
            type: resolution
            text: The VPN needs a working internet connection; fix that first.
          password-valid:
            type: question
            text: Can the user sign in to webmail with the same password?
            answers:
              yes: restart-client
              no: reset-password
          reset-password:
            type: link
            guide: password-reset
            text: Reset the password first.
          restart-client:
            type: action
            text: Restart the laptop and try the VPN again.
            next: connects
          connects:
            type: question
            text: Does the VPN connect now?
            answers:
              yes: resolved
              no: escalate
          resolved:
            type: resolution
            text: A stale VPN session was cleared by restarting.
          escalate:
            type: escalation
            step: network-l2
            text: The VPN fails for this user after the basic steps.
    """,
    "guides/password-reset.md": """
        ---
        id: password-reset
        title: Reset a forgotten or expired password
        category: accounts
        version: "2.1"
        owner: Identity and Access
        reviewed: 2026-03-10
        gather: [The username]
        articles: [password-rules]
        ---

        Verify the requester's identity before resetting anything.
    """,
    "guides/password-reset.yml": """
        nodes:
          identity-verified:
            type: question
            text: Has the requester's identity been verified by a callback?
            answers:
              yes: reset
              no: escalate
          reset:
            type: action
            text: Reset the password in the admin portal and tell the user the temporary one by phone.
            next: done
          done:
            type: resolution
            text: The user signed in and chose a new password.
          escalate:
            type: escalation
            step: identity-l2
            text: Identity could not be verified.
    """,
    "guides/printer-offline.md": """
        ---
        id: printer-offline
        title: Printer shows offline
        category: printing
        version: "1.0"
        owner: Desktop Support
        reviewed: 2026-03-10
        ---

        Most offline printers are asleep or lost their network address.
    """,
    "guides/printer-offline.yml": """
        nodes:
          powered:
            type: question
            text: Is the printer switched on and showing a ready light?
            answers:
              yes: escalate
              no: power-on
          power-on:
            type: action
            text: Switch the printer on and wait two minutes.
            next: done
          done:
            type: resolution
            text: The printer was off.
          escalate:
            type: escalation
            step: desktop-l2
            text: The printer is on but still offline.
    """,
    "kb/index.md": """
        # Knowledge base
    """,
    "kb/articles/password-rules.md": """
        ---
        id: password-rules
        title: Password rules
        category: accounts
        owner: Identity and Access
        reviewed: 2026-03-10
        ---

        ## Issue

        The user's new password is refused.

        ## Resolution

        Passwords need at least **14 characters** and must not reuse the last 5.
    """,
    "kb/articles/vpn-reinstall.md": """
        ---
        id: vpn-reinstall
        title: Reinstall the VPN client
        category: network/vpn
        tags: [vpn, client]
        owner: Network Operations
        reviewed: 2026-06-01
        ---

        ## Issue

        The VPN client does nothing when the user clicks Connect.

        ## Resolution

        1. Reinstall the client from [Company Portal](https://portal.example.com).
        2. Restart the laptop.

        If that fails, follow the [VPN guide](../guides/vpn-no-connect.md).
    """,
    "kb/articles/blue-screen-after-update.md": """
        ---
        id: blue-screen-after-update
        title: Blue screen after a Windows update
        category: os
        tags: [windows, crash]
        owner: Desktop Support
        reviewed: 2026-06-01
        ---

        ## Issue

        After the monthly update the laptop shows a blue screen with the stop code
        `CRITICAL_PROCESS_DIED` and restarts. The user sees \\<b>no desktop\\</b> at all.

        ## Resolution

        Boot into recovery, uninstall the latest quality update, and pause updates for a week.
    """,
    "kb/articles/mfa-new-phone.md": """
        ---
        id: mfa-new-phone
        title: Authenticator on a new phone
        category: accounts/mfa
        owner: Identity and Access
        reviewed: 2026-06-01
        ---

        ## Issue

        The user replaced their phone and the authenticator app no longer shows codes.

        ## Resolution

        Register the new phone in the security info page after verifying the user's identity.
    """,
}


def write_sample(root: Path, extra: dict[str, str] | None = None) -> Path:
    """Write the sample repository (plus ``extra`` files) under ``root``; returns ``root``."""
    for rel, text in {**FILES, **(extra or {})}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")
    return root
