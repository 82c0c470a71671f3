/**
 * The PostgreSQL wire-protocol proxy (DESIGN §6). Placeholder: the proxy arrives with its own issue.
 */
package io.pgtrickle.proxy;
