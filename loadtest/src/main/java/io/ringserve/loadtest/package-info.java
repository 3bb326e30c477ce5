/** Load generation against a running server and the in-process Session.run ceiling. */
package io.ringserve.loadtest;
