package io.kfboot.components.profiles;

/**
 * Who may use a profile's namespace besides its owner, and how.
 *
 * @param kind "user" (an e-mail) or "group" (expanded into its members' bindings: upstream
 *     authorizes users only)
 * @param role view, edit or admin, as the dashboard's "Manage contributors" offers them
 */
public record Contributor(String kind, String name, String role) {}
