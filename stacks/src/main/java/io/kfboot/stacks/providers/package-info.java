/**
 * Thin typed classes for the provider resources kfboot needs that no served SDK has: the command
 * provider's {@code command:local:Command} and {@code command:remote:Command} ({@code
 * com.pulumi:command} is not on the registry kfboot builds from), and from the Kubernetes provider
 * the remote component {@code kubernetes:yaml/v2:ConfigGroup} and any object by its type token
 * ({@code com.pulumi:kubernetes} is served only up to 4.0.0, which has neither). They have the
 * shape Pulumi's code generator emits (an args class with {@code @Import} fields, outputs with
 * {@code @Export}), so a real {@code pulumi up} drives the real providers, at the plugin versions
 * {@link ProviderVersions} pins. Only this package knows these type tokens.
 */
package io.kfboot.stacks.providers;
