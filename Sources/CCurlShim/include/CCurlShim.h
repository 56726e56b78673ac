// Typed wrappers for libcurl's variadic calls. Swift cannot call C variadic functions, so each
// argument type curl_easy_setopt / curl_multi_setopt / curl_easy_getinfo accept gets one
// prefixed wrapper here. Nothing else belongs in this target; it could go if Swift ever
// imports variadic C functions.
#ifndef CCURLSHIM_H
#define CCURLSHIM_H

#include <curl/curl.h>

CURLcode CCurlShim_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode CCurlShim_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode CCurlShim_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode CCurlShim_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);

typedef size_t (*CCurlShim_write_callback)(char *data, size_t size, size_t count, void *userdata);
CURLcode CCurlShim_easy_setopt_write_function(CURL *handle, CCurlShim_write_callback callback);

// Progress callback (CURLOPT_XFERINFOFUNCTION): returning non-zero aborts the transfer, which is
// how a long download stops when the daemon does.
typedef int (*CCurlShim_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
CURLcode CCurlShim_easy_setopt_xferinfo_function(CURL *handle, CCurlShim_xferinfo_callback callback);

CURLcode CCurlShim_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode CCurlShim_easy_getinfo_string(CURL *handle, CURLINFO info, const char **value);

CURLMcode CCurlShim_multi_setopt_long(CURLM *handle, CURLMoption option, long value);

#endif
